CREATE TABLE "onecore_sync"."mirror_baselines" (
	"endpoint" text PRIMARY KEY NOT NULL,
	"live_high_water" bigint,
	"last_keys" text[],
	"last_keys_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "onecore_sync"."sync_runs" DROP CONSTRAINT "sync_runs_status";--> statement-breakpoint
ALTER TABLE "onecore_sync"."sync_runs" ADD CONSTRAINT "sync_runs_status" CHECK ("onecore_sync"."sync_runs"."status" in ('running', 'succeeded', 'failed', 'forbidden', 'skipped', 'incomplete'));