CREATE TABLE "graph_subscriptions" (
	"target" text NOT NULL,
	"resource" text NOT NULL,
	"subscription_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"notification_url" text NOT NULL,
	"client_state_hash" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "graph_subscriptions_target_resource_pk" PRIMARY KEY("target","resource")
);
--> statement-breakpoint
CREATE TABLE "notification_secrets" (
	"target" text PRIMARY KEY NOT NULL,
	"client_state" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_limit_state" (
	"target" text PRIMARY KEY NOT NULL,
	"requests_per_second" double precision NOT NULL,
	"throttled_at_rps" double precision,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "links" ADD COLUMN "retiring_since" timestamp with time zone;