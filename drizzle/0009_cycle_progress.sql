ALTER TABLE "cycles" ADD COLUMN "holder" text;--> statement-breakpoint
ALTER TABLE "cycles" ADD COLUMN "progress_at" timestamp with time zone;