ALTER TABLE "provisioning_log" ALTER COLUMN "cycle_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "provisioning_log" ADD COLUMN "actor" text;