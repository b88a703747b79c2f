ALTER TABLE "target_state" ADD COLUMN "quarantine_fingerprint" text;--> statement-breakpoint
CREATE INDEX "provisioning_log_target_id" ON "provisioning_log" USING btree ("target","id");--> statement-breakpoint
CREATE INDEX "provisioning_log_notion" ON "provisioning_log" USING btree ("target","notion_id");--> statement-breakpoint
CREATE INDEX "provisioning_log_name" ON "provisioning_log" USING btree ("target",lower("display_name") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "provisioning_log_status" ON "provisioning_log" USING btree ("target","status","id");