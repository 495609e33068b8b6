-- The consumer shops (issue 7): the eSIM QR Mall's catalog, profile
-- inventory, consumers, sessions, verification codes and orders, and the
-- Mall's orders.

-- +goose Up

-- mccs: the covered MCCs as ',460,454,' (so that LIKE '%,460,%' finds a
-- country); prices: a JSON array of {currency, amount_minor}.
CREATE TABLE esim_plans (
    id              INTEGER NOT NULL PRIMARY KEY,
    enterprise_code TEXT    NOT NULL REFERENCES enterprises (access_code),
    package_code    TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    mccs            TEXT    NOT NULL,
    region          INTEGER NOT NULL,
    continent       TEXT    NOT NULL,
    hot             INTEGER NOT NULL,
    volume_bytes    INTEGER NOT NULL,
    period_days     INTEGER NOT NULL,
    prices          TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT;

CREATE INDEX esim_plans_enterprise ON esim_plans (enterprise_code, id);

CREATE TABLE esim_profiles (
    iccid             TEXT    NOT NULL PRIMARY KEY,
    enterprise_code   TEXT    NOT NULL REFERENCES enterprises (access_code),
    smdp_address      TEXT    NOT NULL,
    matching_id       TEXT    NOT NULL,
    confirmation_code TEXT    NOT NULL,
    state             TEXT    NOT NULL,
    order_id          TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX esim_profiles_available ON esim_profiles (enterprise_code, state, iccid);

CREATE TABLE shop_users (
    id              TEXT    NOT NULL PRIMARY KEY,
    enterprise_code TEXT    NOT NULL REFERENCES enterprises (access_code),
    email           TEXT    NOT NULL,
    passwd_md5      TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    UNIQUE (enterprise_code, email)
) STRICT;

CREATE TABLE shop_sessions (
    token_hash      TEXT    NOT NULL PRIMARY KEY,
    user_id         TEXT    NOT NULL REFERENCES shop_users (id),
    enterprise_code TEXT    NOT NULL,
    email           TEXT    NOT NULL,
    expires_at      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE shop_codes (
    enterprise_code TEXT    NOT NULL,
    email           TEXT    NOT NULL,
    code            TEXT    NOT NULL,
    expires_at      INTEGER NOT NULL,
    PRIMARY KEY (enterprise_code, email)
) STRICT, WITHOUT ROWID;

CREATE TABLE esim_orders (
    id               TEXT    NOT NULL PRIMARY KEY,
    enterprise_code  TEXT    NOT NULL REFERENCES enterprises (access_code),
    user_id          TEXT    NOT NULL,
    email            TEXT    NOT NULL,
    plan_id          INTEGER NOT NULL,
    package_code     TEXT    NOT NULL,
    plan_name        TEXT    NOT NULL,
    period_num       INTEGER NOT NULL,
    currency         TEXT    NOT NULL,
    amount_minor     INTEGER NOT NULL,
    top_up           INTEGER NOT NULL,
    iccid            TEXT    NOT NULL,
    status           INTEGER NOT NULL,
    payment_provider TEXT    NOT NULL,
    payment_ref      TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    paid_at          INTEGER,
    updated_at       INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE mall_orders (
    enterprise_code  TEXT    NOT NULL REFERENCES enterprises (access_code),
    order_no         TEXT    NOT NULL,
    iccid            TEXT    NOT NULL,
    package_code     TEXT    NOT NULL,
    order_period     INTEGER NOT NULL,
    pay_id           TEXT    NOT NULL,
    pay_type         TEXT    NOT NULL,
    pay_amount_minor INTEGER NOT NULL,
    pay_currency     TEXT    NOT NULL,
    paid             INTEGER NOT NULL,
    auto_renewal     INTEGER NOT NULL,
    order_id         TEXT    NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (enterprise_code, order_no)
) STRICT, WITHOUT ROWID;

CREATE INDEX mall_orders_iccid ON mall_orders (enterprise_code, iccid, created_at);

-- +goose Down
DROP TABLE mall_orders;
DROP TABLE esim_orders;
DROP TABLE shop_codes;
DROP TABLE shop_sessions;
DROP TABLE shop_users;
DROP TABLE esim_profiles;
DROP TABLE esim_plans;
