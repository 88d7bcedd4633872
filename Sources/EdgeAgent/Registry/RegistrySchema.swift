import GRDB

/// The registry's schema, as an ordered list of migrations.
///
/// Migrations are append-only: a shipped migration is never edited, later
/// changes add "v2", "v3", …, so an edge upgraded in place migrates its file
/// forward. `DatabaseMigrator` records applied migrations in the file itself,
/// so reopening runs nothing twice.
///
/// Integrity lives in the schema, not only in Swift: CHECK constraints bound
/// every enumerated or ranged column, foreign keys cascade a home's deletion to
/// everything it owns, and triggers make the audit log append-only (but for
/// dropping entries beyond its retention) even for someone holding a raw
/// SQLite shell.
enum RegistrySchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1", migrate: v1)
        migrator.registerMigration("v2", migrate: v2)
        migrator.registerMigration("v3", migrate: v3)
        migrator.registerMigration("v4", migrate: v4)
        migrator.registerMigration("v5", migrate: v5)
        migrator.registerMigration("v6", migrate: v6)
        return migrator
    }

    private static func v1(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE homes (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL UNIQUE COLLATE NOCASE
                    CHECK (length(name) BETWEEN 1 AND 63 AND name NOT GLOB '*[^a-z0-9-]*'),
                state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'disabled')),
                certificate_sha256 TEXT UNIQUE
                    CHECK (certificate_sha256 IS NULL OR length(certificate_sha256) = 64),
                upload_limit_kbps INTEGER
                    CHECK (upload_limit_kbps IS NULL OR upload_limit_kbps BETWEEN 100 AND 10000000),
                download_limit_kbps INTEGER
                    CHECK (download_limit_kbps IS NULL OR download_limit_kbps BETWEEN 100 AND 10000000),
                burst_bytes INTEGER CHECK (burst_bytes IS NULL OR burst_bytes > 0),
                created_at DATETIME NOT NULL,
                updated_at DATETIME NOT NULL
            );

            CREATE TABLE join_tokens (
                id TEXT PRIMARY KEY CHECK (length(id) = 32),
                home_id INTEGER NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
                secret_sha256 BLOB NOT NULL CHECK (length(secret_sha256) = 32),
                expires_at DATETIME NOT NULL,
                used_at DATETIME,
                created_at DATETIME NOT NULL
            );
            CREATE INDEX join_tokens_home ON join_tokens(home_id);

            CREATE TABLE domains (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL UNIQUE,
                home_id INTEGER NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
                created_at DATETIME NOT NULL
            );
            CREATE INDEX domains_home ON domains(home_id);

            CREATE TABLE forwards (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                home_id INTEGER NOT NULL REFERENCES homes(id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                type TEXT NOT NULL CHECK (type IN ('https', 'http', 'tcp')),
                hostname TEXT,
                public_port INTEGER UNIQUE CHECK (public_port IS NULL OR public_port BETWEEN 1 AND 65535),
                proxy_protocol TEXT CHECK (proxy_protocol IS NULL OR proxy_protocol = 'v2'),
                compress BOOLEAN,
                target TEXT,
                error TEXT,
                created_at DATETIME NOT NULL,
                updated_at DATETIME NOT NULL,
                UNIQUE (home_id, name)
            );
            -- A routed (error-free) hostname reaches exactly one forward per listener type.
            CREATE UNIQUE INDEX forwards_route ON forwards(type, hostname)
                WHERE hostname IS NOT NULL AND error IS NULL;

            CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                time DATETIME NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                subject TEXT NOT NULL,
                detail TEXT NOT NULL CHECK (json_valid(detail))
            );
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN
                SELECT RAISE(ABORT, 'audit_log is append-only');
            END;
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN
                SELECT RAISE(ABORT, 'audit_log is append-only');
            END;
            """)
    }

    /// The per-home TCP port quota (issue 10, defect 4): one home may no
    /// longer hold every public TCP port. Homes that exist when the edge is
    /// upgraded get the default, like new ones. Literal numbers, not Swift
    /// constants: a shipped migration must mean the same thing forever
    /// (`Home.defaultTCPPortQuota`, `Home.tcpPortQuotaRange`).
    private static func v2(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE homes ADD COLUMN tcp_port_quota INTEGER NOT NULL DEFAULT 10
                CHECK (tcp_port_quota BETWEEN 0 AND 65535);
            """)
    }

    /// Certificate renewal over the session ([CERT-2]): the fingerprint of a
    /// renewed certificate the home has not connected with yet (admitted
    /// alongside the current one, so a lost answer cannot lock the home out)
    /// and when the last renewal was issued (renewals are rate-limited).
    /// SQLite cannot add a UNIQUE column, hence the index. Existing homes get
    /// NULL for both: nothing pending, never renewed.
    private static func v3(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE homes ADD COLUMN pending_certificate_sha256 TEXT
                CHECK (pending_certificate_sha256 IS NULL OR length(pending_certificate_sha256) = 64);
            ALTER TABLE homes ADD COLUMN certificate_renewed_at DATETIME;
            CREATE UNIQUE INDEX homes_pending_certificate ON homes(pending_certificate_sha256)
                WHERE pending_certificate_sha256 IS NOT NULL;
            """)
    }

    /// Superseded join tokens ([ENROLL-8]): a token stops working when a newer
    /// one is issued for its home or the home enrolls with another one, so a
    /// leaked older token cannot re-enroll a home that has already joined.
    /// Tokens written before this rule are brought under it here: an unused
    /// token is superseded if its home has a token inserted after it (rowid
    /// order is insertion order; a home's tokens are only ever deleted all
    /// together) or one redeemed since it was created.
    private static func v4(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE join_tokens ADD COLUMN superseded_at DATETIME;
            UPDATE join_tokens AS t SET superseded_at = CURRENT_TIMESTAMP
                WHERE t.used_at IS NULL AND EXISTS (
                    SELECT 1 FROM join_tokens AS o
                    WHERE o.home_id = t.home_id AND o.id != t.id
                        AND (o.rowid > t.rowid OR (o.used_at IS NOT NULL AND o.used_at >= t.created_at)));
            """)
    }

    /// Revoked join tokens: the operator can withdraw a token that leaked
    /// before anyone used it (`edgeagent home token-revoke`). Existing
    /// tokens are not revoked.
    private static func v5(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE join_tokens ADD COLUMN revoked_at DATETIME;")
    }

    /// Audit retention: homes write entries, so the log keeps its newest
    /// ``Registry/auditRetention`` and drops older ones as new ones come.
    /// Deleting any of those newest entries, or changing any entry, is still
    /// refused by the schema. (Another retention needs another migration.)
    private static func v6(_ db: Database) throws {
        try db.execute(sql: """
            DROP TRIGGER audit_log_no_delete;
            CREATE TRIGGER audit_log_keep_newest BEFORE DELETE ON audit_log
            WHEN OLD.id > (SELECT MAX(id) FROM audit_log) - \(Registry.auditRetention)
            BEGIN
                SELECT RAISE(ABORT, 'audit_log keeps its newest entries');
            END;
            """)
    }
}
