-- Billing: each enterprise's billing account (prepaid or postpaid), its
-- own price of a granted plan, the ledger (one line a priced move, never
-- updated or deleted) and the running balances, kept in a few slots a
-- currency that are summed on read.

-- +goose Up
ALTER TABLE plan_grants ADD COLUMN price_minor INTEGER CHECK (price_minor >= 0);

CREATE TABLE billing_accounts (
    enterprise_code    TEXT    NOT NULL PRIMARY KEY REFERENCES enterprises (access_code),
    mode               TEXT    NOT NULL CHECK (mode IN ('prepaid', 'postpaid')),
    currency           TEXT    NOT NULL,
    credit_limit_minor INTEGER NOT NULL CHECK (credit_limit_minor >= 0),
    alert_below_minor  INTEGER NOT NULL CHECK (alert_below_minor >= 0),
    enforce_price      INTEGER NOT NULL CHECK (enforce_price IN (0, 1)),
    updated_at         INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE ledger_lines (
    id               TEXT    NOT NULL PRIMARY KEY,
    enterprise_code  TEXT    NOT NULL,
    month            INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    kind             TEXT    NOT NULL,
    currency         TEXT    NOT NULL,
    amount_minor     INTEGER NOT NULL,
    order_id         TEXT    NOT NULL,
    iccid            TEXT    NOT NULL,
    plan_code        TEXT    NOT NULL,
    periods          INTEGER NOT NULL,
    request_id       TEXT    NOT NULL,
    pay_amount_minor INTEGER NOT NULL,
    pay_rst          TEXT    NOT NULL,
    reason           TEXT    NOT NULL
) STRICT;
CREATE INDEX ledger_lines_month ON ledger_lines (enterprise_code, month, created_at);
CREATE INDEX ledger_lines_order ON ledger_lines (order_id) WHERE order_id <> '';

CREATE TABLE ledger_balances (
    enterprise_code TEXT    NOT NULL,
    currency        TEXT    NOT NULL,
    slot            INTEGER NOT NULL,
    amount_minor    INTEGER NOT NULL,
    PRIMARY KEY (enterprise_code, currency, slot)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE ledger_balances;
DROP TABLE ledger_lines;
DROP TABLE billing_accounts;
ALTER TABLE plan_grants DROP COLUMN price_minor;
