ALTER TABLE "onecore_sync"."rejected_records" ADD COLUMN "record_key" text;--> statement-breakpoint
ALTER TABLE "onecore_sync"."rejected_records" ADD COLUMN "detail" text;--> statement-breakpoint
ALTER TABLE "onecore_sync"."rejected_records" ADD COLUMN "last_seen_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "rejected_records_raw" ON "onecore_sync"."rejected_records" USING btree ("endpoint",md5("raw"));