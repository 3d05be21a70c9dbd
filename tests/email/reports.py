"""Delivery status notifications (RFC 3464) and ARF complaints (RFC 5965) as receiving
servers write them, for the bounce listener's tests."""

from __future__ import annotations


def dsn(status: str = "5.1.1", action: str = "failed", original_headers: str = "") -> bytes:
    extra = ""
    if original_headers:
        extra = (
            "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n" + original_headers.strip() + "\r\n"
        )
    return (
        "From: MAILER-DAEMON@mx.example.com\r\n"
        "To: bounces@bounce.acme.test\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        "Final-Recipient: rfc822; ann@example.com\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 {status} mailbox unavailable\r\n"
        f"{extra}"
        "--B--\r\n"
    ).encode()


def arf(original_headers: str, feedback_type: str = "abuse") -> bytes:
    return (
        "From: fbl@isp.example.net\r\n"
        "To: fbl@acme.test\r\n"
        "Subject: FW: complaint\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="F"\r\n\r\n'
        "--F\r\nContent-Type: text/plain\r\n\r\nThis is an abuse report.\r\n"
        "--F\r\nContent-Type: message/feedback-report\r\n\r\n"
        f"Feedback-Type: {feedback_type}\r\nUser-Agent: ISP-FBL/1.0\r\nVersion: 1\r\n\r\n"
        "--F\r\nContent-Type: message/rfc822\r\n\r\n"
        + original_headers.strip()
        + "\r\n\r\nHello\r\n--F--\r\n"
    ).encode()
