-- Typed history views (src/views): `onecore_typed_history.<endpoint>`, the typed columns of
-- `onecore_typed.<endpoint>` over every version in `onecore_history.<endpoint>`. A schema of their
-- own so their names are the endpoints' and cannot meet a child view or another endpoint's table.
CREATE SCHEMA IF NOT EXISTS "onecore_typed_history";
