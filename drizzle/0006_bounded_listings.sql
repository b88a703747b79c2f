CREATE TABLE "notion_listing" (
	"target" text NOT NULL,
	"object_type" text NOT NULL,
	"notion_id" text NOT NULL,
	"match_name" text NOT NULL,
	"emails" text[] DEFAULT '{}'::text[] NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"owner" boolean DEFAULT false NOT NULL,
	"accounted" boolean DEFAULT false NOT NULL,
	"resource" jsonb NOT NULL,
	CONSTRAINT "notion_listing_target_object_type_notion_id_pk" PRIMARY KEY("target","object_type","notion_id")
);
--> statement-breakpoint
CREATE TABLE "source_assignments_listing" (
	"target" text NOT NULL,
	"id" text NOT NULL,
	"principal_id" text NOT NULL,
	"principal_type" text NOT NULL,
	"app_role_id" text NOT NULL,
	"principal_display_name" text,
	CONSTRAINT "source_assignments_listing_target_id_pk" PRIMARY KEY("target","id")
);
--> statement-breakpoint
CREATE INDEX "notion_listing_match_name" ON "notion_listing" USING btree ("target","object_type","match_name");--> statement-breakpoint
CREATE INDEX "notion_listing_emails" ON "notion_listing" USING gin ("emails");