-- Cube v4 add-on bundles: a plan may be an add-on plan (add_on) or a basic
-- plan that allows add-ons (allow_add_on); an add-on (addon.AddOn) is extra
-- volume for the rest of its basic order's current period. status: 1 live,
-- 5 ended with its basic order (suspended, ended, expired); one past ends_at
-- is over by its time. The same as the SQLite store's 00017.

-- +goose Up
ALTER TABLE plans ADD COLUMN add_on boolean NOT NULL DEFAULT false;
ALTER TABLE plans ADD COLUMN allow_add_on boolean NOT NULL DEFAULT false;
CREATE TABLE order_addons (
    id              text        NOT NULL,
    enterprise_code text        NOT NULL,
    iccid           text        NOT NULL,
    order_id        text        NOT NULL,
    plan_code       text        NOT NULL,
    plan_name       text        NOT NULL,
    volume_bytes    bigint      NOT NULL,
    used_bytes      bigint      NOT NULL DEFAULT 0,
    status          integer     NOT NULL,
    started_at      timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    ended_at        timestamptz,
    CONSTRAINT order_addons_pkey PRIMARY KEY (id),
    CONSTRAINT order_addons_status_check CHECK (status IN (1, 5)),
    CONSTRAINT order_addons_enterprise_fkey FOREIGN KEY (enterprise_code) REFERENCES enterprises (access_code),
    CONSTRAINT order_addons_iccid_fkey FOREIGN KEY (iccid) REFERENCES sims (iccid),
    CONSTRAINT order_addons_order_fkey FOREIGN KEY (order_id) REFERENCES orders (id)
);
CREATE INDEX order_addons_order ON order_addons (order_id, started_at);
CREATE INDEX order_addons_sim ON order_addons (iccid, started_at);

-- +goose Down
DROP TABLE order_addons;
ALTER TABLE plans DROP COLUMN allow_add_on;
ALTER TABLE plans DROP COLUMN add_on;
