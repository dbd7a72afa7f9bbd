CREATE SCHEMA "onecore_history";
--> statement-breakpoint
CREATE TABLE "onecore_sync"."history_endpoints" (
	"endpoint" text PRIMARY KEY NOT NULL,
	"enabled_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reconciled_at" timestamp with time zone DEFAULT now() NOT NULL,
	"paused_at" timestamp with time zone
);
