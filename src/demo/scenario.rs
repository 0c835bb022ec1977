//! The demo's story, as data: a small web shop with migrations, config changes, releases,
//! deploys to staging and production, and one release rolled back in production.

/// One step of the story. Times are hours after the start of the story.
pub enum Step {
    /// Write (or with `None`, delete) files and commit them.
    Commit {
        hours: i64,
        author: usize,
        message: &'static str,
        files: &'static [(&'static str, Option<&'static str>)],
    },
    /// Tag HEAD as a release, with trailers.
    Release {
        hours: i64,
        tag: &'static str,
        subject: &'static str,
        trailers: &'static [(&'static str, &'static str)],
    },
    Deploy {
        hours: i64,
        env: &'static str,
        tag: &'static str,
    },
    Rollback {
        hours: i64,
        env: &'static str,
        from: &'static str,
        to: &'static str,
        reason: &'static str,
        incident: &'static str,
    },
}

/// Names and emails of the people in the story (0 and 1 are the release manager and on-call).
pub const PEOPLE: &[(&str, &str)] = &[
    ("Dana Release", "dana@shop.example"),
    ("Sam On-Call", "sam@shop.example"),
    ("Ari Developer", "ari@shop.example"),
    ("Kim Developer", "kim@shop.example"),
];

const CONFIG_V1: &str = "[server]\nport = 8080\nworkers = 4\n\n[checkout]\ntimeout_ms = 3000\n";
const CONFIG_V2: &str = "[server]\nport = 8080\nworkers = 8\n\n[checkout]\ntimeout_ms = 1500\nretry = 2\n";
const CONFIG_V3: &str =
    "[server]\nport = 8080\nworkers = 8\n\n[checkout]\ntimeout_ms = 1500\nretry = 2\n\n[discounts]\nenabled = true\n";

pub const ROLLBACK_TOML: &str = "\
# git-rollback configuration (docs/configuration.md)
production-branch = \"main\"

[environments.staging]
[environments.production]
";

pub const STORY: &[Step] = &[
    Step::Commit {
        hours: 0,
        author: 2,
        message: "Create the shop service with users",
        files: &[
            (
                "README.md",
                Some("# shop\n\nA small web shop, used to try `git rollback`.\n"),
            ),
            ("rollback.toml", Some(ROLLBACK_TOML)),
            ("src/app.py", Some("def main():\n    serve(port=8080)\n")),
            ("config/app.toml", Some(CONFIG_V1)),
            (
                "migrations/0001_create_users.up.sql",
                Some("CREATE TABLE users (id BIGINT PRIMARY KEY, email TEXT NOT NULL);\n"),
            ),
            ("migrations/0001_create_users.down.sql", Some("DROP TABLE users;\n")),
        ],
    },
    Step::Release {
        hours: 1,
        tag: "v1.0.0",
        subject: "Release v1.0.0",
        trailers: &[("Migration", "0001_create_users (reversible)")],
    },
    Step::Deploy {
        hours: 2,
        env: "staging",
        tag: "v1.0.0",
    },
    Step::Deploy {
        hours: 4,
        env: "production",
        tag: "v1.0.0",
    },
    Step::Commit {
        hours: 30,
        author: 3,
        message: "Add the orders API",
        files: &[
            (
                "src/orders.py",
                Some("def create_order(user, items):\n    return db.insert('orders', user=user, items=items)\n"),
            ),
            (
                "migrations/0002_create_orders.up.sql",
                Some("CREATE TABLE orders (id BIGINT PRIMARY KEY, user_id BIGINT REFERENCES users(id));\n"),
            ),
            ("migrations/0002_create_orders.down.sql", Some("DROP TABLE orders;\n")),
        ],
    },
    Step::Release {
        hours: 31,
        tag: "v1.1.0",
        subject: "Release v1.1.0: orders",
        trailers: &[("Migration", "0002_create_orders (reversible)")],
    },
    Step::Deploy {
        hours: 32,
        env: "staging",
        tag: "v1.1.0",
    },
    Step::Deploy {
        hours: 40,
        env: "production",
        tag: "v1.1.0",
    },
    Step::Commit {
        hours: 70,
        author: 2,
        message: "Tune checkout timeouts and workers",
        files: &[("config/app.toml", Some(CONFIG_V2))],
    },
    Step::Release {
        hours: 71,
        tag: "v1.2.0-rc.1",
        subject: "Release candidate v1.2.0-rc.1",
        trailers: &[("Config", "checkout timeout 3000 -> 1500 ms, 8 workers")],
    },
    Step::Deploy {
        hours: 72,
        env: "staging",
        tag: "v1.2.0-rc.1",
    },
    Step::Release {
        hours: 90,
        tag: "v1.2.0",
        subject: "Release v1.2.0: faster checkout",
        trailers: &[("Config", "checkout timeout 3000 -> 1500 ms, 8 workers")],
    },
    Step::Deploy {
        hours: 91,
        env: "staging",
        tag: "v1.2.0",
    },
    Step::Deploy {
        hours: 96,
        env: "production",
        tag: "v1.2.0",
    },
    Step::Commit {
        hours: 150,
        author: 3,
        message: "Drop the legacy sessions table",
        files: &[(
            "migrations/0003_drop_legacy_sessions.up.sql",
            Some("DROP TABLE legacy_sessions;\n"),
        )],
    },
    Step::Commit {
        hours: 152,
        author: 2,
        message: "Cache cart totals",
        files: &[(
            "src/cart.py",
            Some("CACHE = {}\n\ndef total(cart):\n    return CACHE.setdefault(cart.id, sum(cart.prices))\n"),
        )],
    },
    Step::Release {
        hours: 153,
        tag: "v1.3.0",
        subject: "Release v1.3.0: cart cache",
        trailers: &[("Migration", "0003_drop_legacy_sessions (no down script)")],
    },
    Step::Deploy {
        hours: 154,
        env: "staging",
        tag: "v1.3.0",
    },
    Step::Deploy {
        hours: 160,
        env: "production",
        tag: "v1.3.0",
    },
    Step::Commit {
        hours: 220,
        author: 3,
        message: "Add discount codes at checkout",
        files: &[
            (
                "src/discounts.py",
                Some("def apply(cart, code):\n    cart.total -= lookup(code)\n    return cart\n"),
            ),
            ("config/app.toml", Some(CONFIG_V3)),
        ],
    },
    Step::Release {
        hours: 221,
        tag: "v1.4.0",
        subject: "Release v1.4.0: discount codes",
        trailers: &[("Config", "discounts.enabled = true")],
    },
    Step::Deploy {
        hours: 222,
        env: "staging",
        tag: "v1.4.0",
    },
    Step::Deploy {
        hours: 228,
        env: "production",
        tag: "v1.4.0",
    },
    Step::Rollback {
        hours: 229,
        env: "production",
        from: "v1.4.0",
        to: "v1.3.0",
        reason: "Discount codes were applied twice at checkout; the previous image was redeployed at the load balancer.",
        incident: "INC-2041",
    },
    Step::Commit {
        hours: 240,
        author: 2,
        message: "Start the new payment provider (not released)",
        files: &[(
            "src/payments.py",
            Some("def charge(order):\n    raise NotImplementedError\n"),
        )],
    },
];
