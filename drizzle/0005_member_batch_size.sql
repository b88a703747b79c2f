ALTER TABLE "rate_limit_state" ALTER COLUMN "requests_per_second" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "rate_limit_state" ADD COLUMN "member_batch_refused_size" integer;--> statement-breakpoint
ALTER TABLE "rate_limit_state" ADD COLUMN "member_batch_refused_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "rate_limit_state" ADD COLUMN "member_batch_accepted_size" integer;