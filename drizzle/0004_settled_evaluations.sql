ALTER TABLE "source_groups" ADD COLUMN "evaluated_in_scope" boolean;--> statement-breakpoint
ALTER TABLE "source_users" ADD COLUMN "evaluated_in_scope" boolean;--> statement-breakpoint
ALTER TABLE "target_state" ADD COLUMN "decision_fingerprint" text;