"""The one path every marketing e-mail takes (flows and campaigns): compose (render, links,
tracking, unsubscribe headers, DKIM), suppression, the SMTP pool, the bounce listener."""
