CREATE TABLE "applied_memberships" (
	"target" text NOT NULL,
	"group_source_id" text NOT NULL,
	"user_source_id" text NOT NULL,
	CONSTRAINT "applied_memberships_target_group_source_id_user_source_id_pk" PRIMARY KEY("target","group_source_id","user_source_id")
);
--> statement-breakpoint
CREATE TABLE "cycles" (
	"id" text PRIMARY KEY NOT NULL,
	"target" text NOT NULL,
	"kind" text NOT NULL,
	"status" text NOT NULL,
	"dry_run" boolean DEFAULT false NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"import_complete" boolean,
	"counts" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "links" (
	"target" text NOT NULL,
	"object_type" text NOT NULL,
	"source_id" text NOT NULL,
	"notion_id" text,
	"state" text NOT NULL,
	"applied" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"applied_hash" text,
	"staged_action" text,
	"staged_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_error_kind" text,
	"last_error" text,
	"pending_since" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "links_target_object_type_source_id_pk" PRIMARY KEY("target","object_type","source_id")
);
--> statement-breakpoint
CREATE TABLE "provisioning_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"target" text NOT NULL,
	"cycle_id" text NOT NULL,
	"change_id" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"object_type" text NOT NULL,
	"source_id" text NOT NULL,
	"notion_id" text,
	"display_name" text,
	"action" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"modified" jsonb,
	"error_kind" text,
	"error_message" text,
	"duration_ms" integer
);
--> statement-breakpoint
CREATE TABLE "source_assignments" (
	"target" text NOT NULL,
	"id" text NOT NULL,
	"principal_id" text NOT NULL,
	"principal_type" text NOT NULL,
	"app_role_id" text NOT NULL,
	"principal_display_name" text,
	CONSTRAINT "source_assignments_target_id_pk" PRIMARY KEY("target","id")
);
--> statement-breakpoint
CREATE TABLE "source_groups" (
	"target" text NOT NULL,
	"id" text NOT NULL,
	"attributes" jsonb NOT NULL,
	"removed_reason" text,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"dirty" boolean DEFAULT true NOT NULL,
	"seen_generation" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "source_groups_target_id_pk" PRIMARY KEY("target","id")
);
--> statement-breakpoint
CREATE TABLE "source_memberships" (
	"target" text NOT NULL,
	"group_id" text NOT NULL,
	"member_id" text NOT NULL,
	"member_type" text NOT NULL,
	"seen_generation" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "source_memberships_target_group_id_member_id_pk" PRIMARY KEY("target","group_id","member_id")
);
--> statement-breakpoint
CREATE TABLE "source_users" (
	"target" text NOT NULL,
	"id" text NOT NULL,
	"attributes" jsonb NOT NULL,
	"removed_reason" text,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"dirty" boolean DEFAULT true NOT NULL,
	"seen_generation" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "source_users_target_id_pk" PRIMARY KEY("target","id")
);
--> statement-breakpoint
CREATE TABLE "target_state" (
	"target" text PRIMARY KEY NOT NULL,
	"mapping_fingerprint" text,
	"last_complete_import_at" timestamp with time zone,
	"last_scope_size" integer,
	"quarantine_reason" text,
	"quarantine_since" timestamp with time zone,
	"quarantine_next_attempt_at" timestamp with time zone,
	"quarantine_series_count" integer DEFAULT 0 NOT NULL,
	"notified_state" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "watermarks" (
	"target" text NOT NULL,
	"stream" text NOT NULL,
	"delta_link" text,
	"next_link" text,
	"full_read" boolean DEFAULT false NOT NULL,
	"read_generation" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "watermarks_target_stream_pk" PRIMARY KEY("target","stream")
);
--> statement-breakpoint
CREATE INDEX "applied_memberships_user" ON "applied_memberships" USING btree ("target","user_source_id");--> statement-breakpoint
CREATE INDEX "cycles_target_started" ON "cycles" USING btree ("target","started_at");--> statement-breakpoint
CREATE UNIQUE INDEX "links_notion_id" ON "links" USING btree ("target","object_type","notion_id");--> statement-breakpoint
CREATE INDEX "provisioning_log_target_at" ON "provisioning_log" USING btree ("target","at");--> statement-breakpoint
CREATE INDEX "provisioning_log_cycle" ON "provisioning_log" USING btree ("cycle_id");--> statement-breakpoint
CREATE INDEX "provisioning_log_source" ON "provisioning_log" USING btree ("target","source_id");--> statement-breakpoint
CREATE INDEX "source_assignments_principal" ON "source_assignments" USING btree ("target","principal_id");--> statement-breakpoint
CREATE INDEX "source_groups_dirty" ON "source_groups" USING btree ("target") WHERE "source_groups"."dirty";--> statement-breakpoint
CREATE INDEX "source_memberships_member" ON "source_memberships" USING btree ("target","member_id");--> statement-breakpoint
CREATE INDEX "source_users_dirty" ON "source_users" USING btree ("target") WHERE "source_users"."dirty";