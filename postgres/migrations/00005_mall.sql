-- The consumer shops (issue 7): the eSIM QR Mall's catalog, profile
-- inventory, consumers, sessions, verification codes and orders, and the
-- Mall's orders. The same tables as the SQLite store's 00005, in native
-- types, following the conventions of 00001.

-- +goose Up
-- prices: a JSON array of {currency, amount_minor}, as text.
CREATE TABLE esim_plans (
    id              bigint      NOT NULL,
    enterprise_code text        NOT NULL,
    package_code    text        NOT NULL,
    name            text        NOT NULL,
    description     text        NOT NULL,
    mccs            text[]      NOT NULL,
    region          boolean     NOT NULL,
    continent       text        NOT NULL,
    hot             boolean     NOT NULL,
    volume_bytes    bigint      NOT NULL,
    period_days     integer     NOT NULL,
    prices          text        NOT NULL,
    created_at      timestamptz NOT NULL,
    CONSTRAINT esim_plans_pkey PRIMARY KEY (id),
    CONSTRAINT esim_plans_enterprise_fkey FOREIGN KEY (enterprise_code) REFERENCES enterprises (access_code)
);

CREATE INDEX esim_plans_enterprise ON esim_plans (enterprise_code, id);

CREATE TABLE esim_profiles (
    iccid             text        NOT NULL,
    enterprise_code   text        NOT NULL,
    smdp_address      text        NOT NULL,
    matching_id       text        NOT NULL,
    confirmation_code text        NOT NULL,
    state             text        NOT NULL,
    order_id          text        NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    CONSTRAINT esim_profiles_pkey PRIMARY KEY (iccid),
    CONSTRAINT esim_profiles_enterprise_fkey FOREIGN KEY (enterprise_code) REFERENCES enterprises (access_code)
);

CREATE INDEX esim_profiles_available ON esim_profiles (enterprise_code, state, iccid);

CREATE TABLE shop_users (
    id              text        NOT NULL,
    enterprise_code text        NOT NULL,
    email           text        NOT NULL,
    passwd_md5      text        NOT NULL,
    created_at      timestamptz NOT NULL,
    CONSTRAINT shop_users_pkey PRIMARY KEY (id),
    CONSTRAINT shop_users_email_key UNIQUE (enterprise_code, email),
    CONSTRAINT shop_users_enterprise_fkey FOREIGN KEY (enterprise_code) REFERENCES enterprises (access_code)
);

CREATE TABLE shop_sessions (
    token_hash      text        NOT NULL,
    user_id         text        NOT NULL,
    enterprise_code text        NOT NULL,
    email           text        NOT NULL,
    expires_at      timestamptz NOT NULL,
    CONSTRAINT shop_sessions_pkey PRIMARY KEY (token_hash),
    CONSTRAINT shop_sessions_user_fkey FOREIGN KEY (user_id) REFERENCES shop_users (id)
);

CREATE TABLE shop_codes (
    enterprise_code text        NOT NULL,
    email           text        NOT NULL,
    code            text        NOT NULL,
    expires_at      timestamptz NOT NULL,
    CONSTRAINT shop_codes_pkey PRIMARY KEY (enterprise_code, email)
);

CREATE TABLE esim_orders (
    id               text        NOT NULL,
    enterprise_code  text        NOT NULL,
    user_id          text        NOT NULL,
    email            text        NOT NULL,
    plan_id          bigint      NOT NULL,
    package_code     text        NOT NULL,
    plan_name        text        NOT NULL,
    period_num       integer     NOT NULL,
    currency         text        NOT NULL,
    amount_minor     bigint      NOT NULL,
    top_up           boolean     NOT NULL,
    iccid            text        NOT NULL,
    status           integer     NOT NULL,
    payment_provider text        NOT NULL,
    payment_ref      text        NOT NULL,
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    paid_at          timestamptz,
    updated_at       timestamptz NOT NULL,
    CONSTRAINT esim_orders_pkey PRIMARY KEY (id),
    CONSTRAINT esim_orders_enterprise_fkey FOREIGN KEY (enterprise_code) REFERENCES enterprises (access_code)
);

CREATE TABLE mall_orders (
    enterprise_code  text        NOT NULL,
    order_no         text        NOT NULL,
    iccid            text        NOT NULL,
    package_code     text        NOT NULL,
    order_period     integer     NOT NULL,
    pay_id           text        NOT NULL,
    pay_type         text        NOT NULL,
    pay_amount_minor bigint      NOT NULL,
    pay_currency     text        NOT NULL,
    paid             boolean     NOT NULL,
    auto_renewal     boolean     NOT NULL,
    order_id         text        NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    CONSTRAINT mall_orders_pkey PRIMARY KEY (enterprise_code, order_no),
    CONSTRAINT mall_orders_enterprise_fkey FOREIGN KEY (enterprise_code) REFERENCES enterprises (access_code)
);

CREATE INDEX mall_orders_iccid ON mall_orders (enterprise_code, iccid, created_at);

-- +goose Down
DROP TABLE mall_orders;
DROP TABLE esim_orders;
DROP TABLE shop_codes;
DROP TABLE shop_sessions;
DROP TABLE shop_users;
DROP TABLE esim_profiles;
DROP TABLE esim_plans;
