ALTER TABLE "source_groups" ADD COLUMN "evaluated_in_scope" boolean;--> statement-breakpoint
ALTER TABLE "source_users" ADD COLUMN "evaluated_in_scope" boolean;--> statement-breakpoint
ALTER TABLE "target_state" ADD COLUMN "decision_fingerprint" text;--> statement-breakpoint
CREATE INDEX "links_open_work" ON "links" USING btree ("target") WHERE "links"."staged_action" is not null or "links"."attempts" > 0 or "links"."state" in ('unaccounted', 'pending-create') or "links"."retiring_since" is not null;