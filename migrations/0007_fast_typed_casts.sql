-- Faster safe casts for the typed views' date-times, dates and numbers, with the same results as
-- the text forms of 0005 (which stay, unchanged, as the exact path for every other value). The
-- text forms spend most of their time in a regular expression and in the PL/pgSQL call around it;
-- these are plain SQL, which Postgres inlines into the query, and they take the field both as jsonb
-- (the jsonb lookup costs about as little as passing it along) and as text.
--
-- A date-time the sync stored is in one canonical form, YYYY-MM-DDTHH:MM:SS[.f{1,6}]Z. For such a
-- value, a jsonpath datetime() with that template reads it without ever raising an error (silent:
-- a field out of range, 30 February, hour 24 give no result) and renders what it read back in the
-- same form (without the Z, without trailing zeros in the fraction); the value goes through the
-- cast only when that rendering is the text itself (less the trailing zeros of a fraction, which
-- the rendering drops). datetime() alone is not enough: it lets a space or a sign lead a field
-- ('2024- 2-10') and reads month or day 00 as 01; the comparison with the text rules all of that
-- out, and the cast then cannot fail. Anything else (an offset instead of Z, a fraction longer
-- than 6 digits, a bad value) goes to the text form.
CREATE OR REPLACE FUNCTION "onecore_sync"."typed_timestamptz"(j jsonb, v text) RETURNS timestamptz
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  select case
    when v like '____-__-__T__:__:__Z'
      and (jsonb_path_query_first(j, '$.datetime("YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"")', silent => true) #>> '{}') = left(v, 19)
      then v::timestamptz
    when v like '____-__-__T__:__:__._%Z' and v not like '%0Z'
      and (jsonb_path_query_first(j, '$.datetime("YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"")', silent => true) #>> '{}') = left(v, -1)
      then v::timestamptz
    when v like '____-__-__T__:__:__._%0Z'
      and (jsonb_path_query_first(j, '$.datetime("YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"")', silent => true) #>> '{}') = rtrim(rtrim(left(v, -1), '0'), '.')
      then v::timestamptz
    else onecore_sync.typed_timestamptz(v)
  end
$$;
--> statement-breakpoint
-- The same for a date, YYYY-MM-DD.
CREATE OR REPLACE FUNCTION "onecore_sync"."typed_date"(j jsonb, v text) RETURNS date
  LANGUAGE sql STABLE PARALLEL SAFE AS $$
  select case
    when v like '____-__-__'
      and (jsonb_path_query_first(j, '$.datetime("YYYY-MM-DD")', silent => true) #>> '{}') = v
      then v::date
    else onecore_sync.typed_date(v)
  end
$$;
--> statement-breakpoint
-- A JSON number is a numeric already (jsonb stores it as one): taken as it is, without the round
-- trip through text. A string goes to the text form ("12.50" reads as 12.50, "n/a" as NULL). (The
-- one difference: a number of more than 1,000 characters, which the text form refuses only to
-- bound its work, reads as itself.)
CREATE OR REPLACE FUNCTION "onecore_sync"."typed_numeric"(j jsonb) RETURNS numeric
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  select case when jsonb_typeof(j) = 'number' then j::numeric else onecore_sync.typed_numeric(j #>> '{}') end
$$;
