CREATE TABLE "onecore_sync"."endpoint_schemas" (
	"endpoint" text PRIMARY KEY NOT NULL,
	"schema" json NOT NULL,
	"fetched_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "onecore_sync"."typed_columns" (
	"view" text NOT NULL,
	"path" text[] NOT NULL,
	"column" text NOT NULL,
	"type" text NOT NULL,
	"position" integer NOT NULL,
	"description" text,
	"child_view" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "typed_columns_view_path_pk" PRIMARY KEY("view","path"),
	CONSTRAINT "typed_columns_view_column" UNIQUE("view","column")
);
--> statement-breakpoint
-- Typed views (src/views) live in their own schema, next to the jsonb tables they read.
CREATE SCHEMA IF NOT EXISTS "onecore_typed";
--> statement-breakpoint
-- Safe casts for the typed views: a value that does not fit gives NULL, never an error, so one bad
-- row cannot break a query. Dates and date-times are checked to the day (month lengths, leap
-- years): '2024-02-30' has the right shape and still fails a cast. A date-time needs its zone (the
-- sync writes every one in UTC with Z; what it left without one is not a date-time it understood).
-- PL/pgSQL and STRICT: the argument (a jsonb lookup) is evaluated once per call, where an inlined
-- SQL function would repeat it for every use of the parameter. One regular expression checks the
-- shape and the ranges; the rare days 29 to 31 get the exact check apart.
CREATE OR REPLACE FUNCTION "onecore_sync"."typed_bigint"(v text) RETURNS bigint
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
begin
  if v ~ '^-?[0-9]{1,18}$' or (v ~ '^-?[0-9]{19}$' and v::numeric between -9223372036854775808 and 9223372036854775807) then
    return v::bigint;
  end if;
  return null;
end
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "onecore_sync"."typed_numeric"(v text) RETURNS numeric
  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
begin
  if length(v) <= 1000 and v ~ '^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]{1,3})?$' then
    return v::numeric;
  end if;
  return null;
end
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "onecore_sync"."typed_boolean"(v text) RETURNS boolean
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  select case v when 'true' then true when 'false' then false end
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "onecore_sync"."typed_date"(v text) RETURNS date
  LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $$
declare
  y int;
begin
  -- The common case in one test: the shape, a day up to the 28th, a year from 1.
  if v ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$' and v >= '0001' then
    return v::date;
  end if;
  -- The rest: the 29th to 31st of a month long enough, 29 February of a leap year.
  if v !~ '^[0-9]{4}-(0[1-9]|1[0-2])-(29|30|31)$' or v < '0001' then
    return null;
  end if;
  if substr(v, 9, 2) > (case substr(v, 6, 2) when '02' then '29' when '04' then '30' when '06' then '30' when '09' then '30' when '11' then '30' else '31' end) then
    return null;
  end if;
  if substr(v, 6, 5) = '02-29' then
    y := left(v, 4)::int;
    if y % 4 <> 0 or (y % 100 = 0 and y % 400 <> 0) then return null; end if;
  end if;
  return v::date;
end
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "onecore_sync"."typed_timestamptz"(v text) RETURNS timestamptz
  LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $$
declare
  y int;
begin
  -- Date T time, 0 to 9 fraction digits, Z or an offset up to ±14:59. The common case in one
  -- test (a day up to the 28th, a year from 1); the 29th to 31st get the exact check below.
  if v ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])$' and v >= '0001' then
    return v::timestamptz;
  end if;
  if v !~ '^[0-9]{4}-(0[1-9]|1[0-2])-(29|30|31)T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])$' or v < '0001' then
    return null;
  end if;
  if substr(v, 9, 2) > (case substr(v, 6, 2) when '02' then '29' when '04' then '30' when '06' then '30' when '09' then '30' when '11' then '30' else '31' end) then
    return null;
  end if;
  if substr(v, 6, 5) = '02-29' then
    y := left(v, 4)::int;
    if y % 4 <> 0 or (y % 100 = 0 and y % 400 <> 0) then return null; end if;
  end if;
  return v::timestamptz;
end
$$;
