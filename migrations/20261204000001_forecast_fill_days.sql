-- The capacity screen reads, for every ward's latest forecast, the first day whose 80 %
-- interval of free beds reaches 0 at its low end (fills soonest) and at its high end (fills
-- even in the good case), and the last day forecast. Reading them out of `daily` on every
-- view cost about half of the screen's database time under .ci/load; they are stored with
-- the forecast instead, computed by PostgreSQL from the same JSON.
CREATE FUNCTION forecast_first_day(daily jsonb, bound text) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT min((d->>'day')::int) FROM jsonb_array_elements(daily) d WHERE (d->>bound)::float8 <= 0
$$;
CREATE FUNCTION forecast_horizon(daily jsonb) RETURNS int
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT max((d->>'day')::int) FROM jsonb_array_elements(daily) d
$$;
ALTER TABLE capacity_forecast
    ADD COLUMN fills_early int GENERATED ALWAYS AS (forecast_first_day(daily, 'lo')) STORED,
    ADD COLUMN fills_late int GENERATED ALWAYS AS (forecast_first_day(daily, 'hi')) STORED,
    ADD COLUMN horizon int GENERATED ALWAYS AS (forecast_horizon(daily)) STORED;
