ALTER TABLE "onecore_sync"."credentials" ADD COLUMN "auth_failed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "onecore_sync"."credentials" ADD COLUMN "auth_failed_reason" text;