CREATE TABLE "rate_limit_state" (
	"target" text PRIMARY KEY NOT NULL,
	"requests_per_second" double precision NOT NULL,
	"throttled_at_rps" double precision,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
