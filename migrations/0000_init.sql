CREATE SCHEMA IF NOT EXISTS "onecore";
--> statement-breakpoint
CREATE SCHEMA IF NOT EXISTS "onecore_sync";
--> statement-breakpoint
CREATE SEQUENCE "onecore_sync"."walk_ids" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "onecore_sync"."checkpoints" (
	"endpoint" text NOT NULL,
	"mode" text NOT NULL,
	"cursor" text,
	"walk_id" bigint,
	"walk_started_at" timestamp with time zone,
	"request_id" text,
	"completed_at" timestamp with time zone,
	"pages" integer DEFAULT 0 NOT NULL,
	"records" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "checkpoints_endpoint_mode_pk" PRIMARY KEY("endpoint","mode")
);
--> statement-breakpoint
CREATE TABLE "onecore_sync"."credentials" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"refresh_token" text NOT NULL,
	"previous_refresh_token" text,
	"refresh_token_since" timestamp with time zone DEFAULT now() NOT NULL,
	"rotated_at" timestamp with time zone,
	"access_token" text,
	"access_token_expires_at" timestamp with time zone,
	"renewed_at" timestamp with time zone,
	"renew_count" bigint DEFAULT 0 NOT NULL,
	"bootstrap_sha256" text,
	"source" text NOT NULL,
	"auth_failed_at" timestamp with time zone,
	"auth_failed_reason" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credentials_single_row" CHECK ("onecore_sync"."credentials"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "onecore_sync"."endpoints" (
	"name" text PRIMARY KEY NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"source" text NOT NULL,
	"key_field" text,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_success_at" timestamp with time zone,
	"last_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "onecore_sync"."mirror_seen" (
	"walk_id" bigint NOT NULL,
	"page" integer NOT NULL,
	"ids" text[] NOT NULL,
	CONSTRAINT "mirror_seen_walk_id_page_pk" PRIMARY KEY("walk_id","page")
);
--> statement-breakpoint
CREATE TABLE "onecore_sync"."rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"next_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "onecore_sync"."rejected_records" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"endpoint" text NOT NULL,
	"run_id" bigint,
	"reason" text NOT NULL,
	"raw" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "onecore_sync"."sync_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"endpoint" text NOT NULL,
	"mode" text NOT NULL,
	"status" text NOT NULL,
	"walk_id" bigint,
	"job_id" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"pages" integer DEFAULT 0 NOT NULL,
	"records_seen" bigint DEFAULT 0 NOT NULL,
	"inserted" bigint DEFAULT 0 NOT NULL,
	"updated" bigint DEFAULT 0 NOT NULL,
	"unchanged" bigint DEFAULT 0 NOT NULL,
	"deleted" bigint DEFAULT 0 NOT NULL,
	"rejected" bigint DEFAULT 0 NOT NULL,
	"cursor_start" text,
	"cursor_end" text,
	"error" text,
	CONSTRAINT "sync_runs_status" CHECK ("onecore_sync"."sync_runs"."status" in ('running', 'succeeded', 'failed', 'forbidden', 'skipped'))
);
--> statement-breakpoint
ALTER TABLE "onecore_sync"."rejected_records" ADD CONSTRAINT "rejected_records_run_id_sync_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "onecore_sync"."sync_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "rejected_records_endpoint" ON "onecore_sync"."rejected_records" USING btree ("endpoint","created_at");--> statement-breakpoint
CREATE INDEX "sync_runs_endpoint_started" ON "onecore_sync"."sync_runs" USING btree ("endpoint","started_at");