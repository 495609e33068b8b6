-- Cube v4 add-on bundles: a plan may be an add-on plan (add_on) or a basic
-- plan that allows add-ons (allow_add_on); an add-on (addon.AddOn) is extra
-- volume for the rest of its basic order's current period. status: 1 live,
-- 5 ended with its basic order (suspended, ended, expired); one past ends_at
-- is over by its time.

-- +goose Up
ALTER TABLE plans ADD COLUMN add_on INTEGER NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN allow_add_on INTEGER NOT NULL DEFAULT 0;
CREATE TABLE order_addons (
    id              TEXT    NOT NULL PRIMARY KEY,
    enterprise_code TEXT    NOT NULL REFERENCES enterprises (access_code),
    iccid           TEXT    NOT NULL REFERENCES sims (iccid),
    order_id        TEXT    NOT NULL REFERENCES orders (id),
    plan_code       TEXT    NOT NULL,
    plan_name       TEXT    NOT NULL,
    volume_bytes    INTEGER NOT NULL,
    used_bytes      INTEGER NOT NULL DEFAULT 0,
    status          INTEGER NOT NULL CHECK (status IN (1, 5)),
    started_at      INTEGER NOT NULL,
    ends_at         INTEGER NOT NULL,
    ended_at        INTEGER
);
CREATE INDEX order_addons_order ON order_addons (order_id, started_at);
CREATE INDEX order_addons_sim ON order_addons (iccid, started_at);

-- +goose Down
DROP TABLE order_addons;
ALTER TABLE plans DROP COLUMN allow_add_on;
ALTER TABLE plans DROP COLUMN add_on;
