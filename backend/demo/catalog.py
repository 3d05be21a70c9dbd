"""What the demo storefront sells, where its visitors live and how they find it."""

from __future__ import annotations

# (ISO country, share of visitors, IANA zones its visitors live in)
COUNTRIES: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("US", 30.0, ("America/New_York", "America/Chicago", "America/Denver",
                  "America/Los_Angeles")),
    ("GB", 9.0, ("Europe/London",)),
    ("DE", 7.0, ("Europe/Berlin",)),
    ("CA", 6.0, ("America/Toronto", "America/Vancouver")),
    ("FR", 5.0, ("Europe/Paris",)),
    ("AU", 4.0, ("Australia/Sydney", "Australia/Perth")),
    ("NL", 3.0, ("Europe/Amsterdam",)),
    ("ES", 3.0, ("Europe/Madrid",)),
    ("IT", 3.0, ("Europe/Rome",)),
    ("BR", 3.0, ("America/Sao_Paulo",)),
    ("IN", 3.0, ("Asia/Kolkata",)),
    ("MX", 2.0, ("America/Mexico_City",)),
    ("SE", 2.0, ("Europe/Stockholm",)),
    ("JP", 2.0, ("Asia/Tokyo",)),
    ("IE", 1.5, ("Europe/Dublin",)),
    ("BE", 1.2, ("Europe/Brussels",)),
    ("CH", 1.2, ("Europe/Zurich",)),
    ("PL", 1.2, ("Europe/Warsaw",)),
    ("NZ", 1.0, ("Pacific/Auckland",)),
    ("SG", 1.0, ("Asia/Singapore",)),
    ("KR", 1.0, ("Asia/Seoul",)),
    ("DK", 0.9, ("Europe/Copenhagen",)),
    ("NO", 0.9, ("Europe/Oslo",)),
    ("AT", 0.8, ("Europe/Vienna",)),
    ("FI", 0.7, ("Europe/Helsinki",)),
    ("PT", 0.7, ("Europe/Lisbon",)),
    ("ZA", 0.7, ("Africa/Johannesburg",)),
    ("AE", 0.6, ("Asia/Dubai",)),
    ("IL", 0.5, ("Asia/Jerusalem",)),
    ("AR", 0.5, ("America/Argentina/Buenos_Aires",)),
    ("CL", 0.4, ("America/Santiago",)),
    ("CO", 0.4, ("America/Bogota",)),
    ("PH", 0.4, ("Asia/Manila",)),
    ("CZ", 0.4, ("Europe/Prague",)),
    ("GR", 0.3, ("Europe/Athens",)),
    ("HK", 0.3, ("Asia/Hong_Kong",)),
)

# Share of a day's sessions starting in each local hour (people shop in the evening).
HOURLY = (0.9, 0.6, 0.4, 0.3, 0.3, 0.4, 0.8, 1.6, 2.6, 3.4, 3.8, 4.0,
          4.4, 4.4, 4.2, 4.1, 4.2, 4.6, 5.2, 6.0, 6.4, 6.0, 4.6, 2.2)
# Monday..Sunday
WEEKDAY = (1.06, 1.02, 1.0, 1.0, 0.96, 0.74, 0.82)

# (sku, name, category, price)
PRODUCTS: tuple[tuple[str, str, str, float], ...] = (
    ("TEE-ORG-01", "Organic Cotton Tee", "Tops", 28.0),
    ("TEE-LIN-02", "Linen Pocket Tee", "Tops", 34.0),
    ("SWT-MER-01", "Merino Crew Sweater", "Knitwear", 98.0),
    ("SWT-CAS-02", "Cashmere Cardigan", "Knitwear", 189.0),
    ("HOO-FLE-01", "Fleece Hoodie", "Tops", 64.0),
    ("JKT-DWN-01", "Recycled Down Jacket", "Outerwear", 229.0),
    ("JKT-RAI-02", "Packable Rain Shell", "Outerwear", 119.0),
    ("JNS-SLM-01", "Slim Selvedge Jeans", "Bottoms", 118.0),
    ("CHN-STR-01", "Stretch Chinos", "Bottoms", 78.0),
    ("SHO-RUN-01", "Trail Runner", "Shoes", 135.0),
    ("SHO-SNK-02", "Canvas Sneaker", "Shoes", 65.0),
    ("SHO-BOO-03", "Leather Chelsea Boot", "Shoes", 210.0),
    ("SOC-WOL-01", "Wool Hiking Socks (3 pack)", "Accessories", 24.0),
    ("BNE-RIB-01", "Ribbed Beanie", "Accessories", 26.0),
    ("SCF-ALP-01", "Alpaca Scarf", "Accessories", 58.0),
    ("BAG-TOT-01", "Waxed Canvas Tote", "Bags", 72.0),
    ("BAG-BPK-02", "Roll-top Backpack", "Bags", 139.0),
    ("BTL-STL-01", "Insulated Steel Bottle", "Gear", 32.0),
    ("MUG-CER-01", "Stoneware Mug", "Home", 18.0),
    ("BLK-WOL-01", "Wool Throw Blanket", "Home", 124.0),
    ("CND-CED-01", "Cedar Candle", "Home", 22.0),
    ("GFT-CRD-50", "Gift Card $50", "Gift Cards", 50.0),
    ("GFT-CRD-100", "Gift Card $100", "Gift Cards", 100.0),
    ("CAP-BSB-01", "Washed Baseball Cap", "Accessories", 30.0),
)

# (utm_source, utm_medium, utm_campaign, share); None: direct traffic.
SOURCES: tuple[tuple[str | None, str | None, str | None, float], ...] = (
    (None, None, None, 30.0),
    ("google", "organic", None, 22.0),
    ("google", "cpc", "brand_search", 8.0),
    ("google", "cpc", "shopping_feed", 7.0),
    ("facebook", "paid_social", "retargeting", 7.0),
    ("instagram", "paid_social", "new_arrivals", 6.0),
    ("tiktok", "paid_social", "creator_collab", 4.0),
    ("bing", "cpc", "brand_search", 2.0),
    ("pinterest", "social", None, 3.0),
    ("affiliate", "referral", "gift_guide", 3.0),
)
# Around Black Friday the paid budget goes to its campaign.
BLACK_FRIDAY_SOURCES: tuple[tuple[str | None, str | None, str | None, float], ...] = (
    ("facebook", "paid_social", "black_friday", 14.0),
    ("instagram", "paid_social", "black_friday", 10.0),
    ("google", "cpc", "black_friday", 10.0),
)
EMAIL_CAMPAIGNS = ("weekly_newsletter", "new_arrivals_drop", "winback_30d", "cart_reminder")
BLACK_FRIDAY_EMAIL = "black_friday_early_access"

FORMS = (("newsletter-popup", "Newsletter popup", 6.0), ("spin-to-win", "Spin to win", 2.0),
         ("back-in-stock", "Back in stock", 1.0))

FIRST_NAMES = ("Ada", "Alan", "Grace", "Linus", "Maya", "Noah", "Olivia", "Liam", "Emma",
               "Lucas", "Sofia", "Mateo", "Amara", "Kenji", "Yuki", "Priya", "Arjun", "Chloe",
               "Hugo", "Lea", "Finn", "Ines", "Omar", "Zara", "Elif", "Jonas", "Freya", "Sam",
               "Nora", "Leo", "Isla", "Mia", "Ravi", "Ana", "Tomas", "Eva", "Kai", "Luca")
LAST_NAMES = ("Lovelace", "Turing", "Hopper", "Torvalds", "Nguyen", "Smith", "Garcia", "Muller",
              "Rossi", "Dubois", "Tanaka", "Patel", "Kim", "Silva", "Novak", "Jensen", "Berg",
              "Costa", "Murphy", "Kowalski", "Ahmed", "Cohen", "Larsen", "Moreau", "Weber")
# Reserved example domains (RFC 2606/6761): demo flows e-mail these people, and with a
# real TALLY_SMTP_URL that mail must never reach a real inbox.
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example", "shop.example",
                 "inbox.test", "post.test", "mailbox.example", "letters.test", "web.example")
PAGES = (("/", "Home"), ("/collections/new", "New Arrivals"), ("/collections/sale", "Sale"),
         ("/collections/outerwear", "Outerwear"), ("/collections/knitwear", "Knitwear"),
         ("/pages/about", "Our Story"), ("/blogs/journal", "Journal"))
