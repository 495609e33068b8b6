-- Billing: each enterprise's billing account (prepaid or postpaid), its
-- own price of a granted plan, the ledger (one line a priced move, never
-- updated or deleted) and the running balances, kept in a few slots a
-- currency that are summed on read, so that one enterprise's concurrent
-- postpaid orders do not queue on one row. The same tables as the SQLite
-- store's 00016.

-- +goose Up
ALTER TABLE plan_grants ADD COLUMN price_minor bigint CHECK (price_minor >= 0);

CREATE TABLE billing_accounts (
    enterprise_code    text        NOT NULL REFERENCES enterprises (access_code),
    mode               text        NOT NULL CHECK (mode IN ('prepaid', 'postpaid')),
    currency           text        NOT NULL,
    credit_limit_minor bigint      NOT NULL CHECK (credit_limit_minor >= 0),
    alert_below_minor  bigint      NOT NULL CHECK (alert_below_minor >= 0),
    enforce_price      boolean     NOT NULL,
    updated_at         timestamptz NOT NULL,
    CONSTRAINT billing_accounts_pkey PRIMARY KEY (enterprise_code)
);

CREATE TABLE ledger_lines (
    id               text        NOT NULL,
    enterprise_code  text        NOT NULL,
    month            integer     NOT NULL,
    created_at       timestamptz NOT NULL,
    kind             text        NOT NULL,
    currency         text        NOT NULL,
    amount_minor     bigint      NOT NULL,
    order_id         text        NOT NULL,
    iccid            text        NOT NULL,
    plan_code        text        NOT NULL,
    periods          integer     NOT NULL,
    request_id       text        NOT NULL,
    pay_amount_minor bigint      NOT NULL,
    pay_rst          text        NOT NULL,
    reason           text        NOT NULL,
    -- seq orders the lines written at one time (of one transaction); it
    -- is not a line number and may have gaps.
    seq              bigint      GENERATED ALWAYS AS IDENTITY,
    CONSTRAINT ledger_lines_pkey PRIMARY KEY (id)
);
CREATE INDEX ledger_lines_month ON ledger_lines (enterprise_code, month, created_at, seq);
CREATE INDEX ledger_lines_order ON ledger_lines (order_id) WHERE order_id <> '';

CREATE TABLE ledger_balances (
    enterprise_code text     NOT NULL,
    currency        text     NOT NULL,
    slot            smallint NOT NULL,
    amount_minor    bigint   NOT NULL,
    CONSTRAINT ledger_balances_pkey PRIMARY KEY (enterprise_code, currency, slot)
);

-- +goose Down
DROP TABLE ledger_balances;
DROP TABLE ledger_lines;
DROP TABLE billing_accounts;
ALTER TABLE plan_grants DROP COLUMN price_minor;
