DROP INDEX "notion_listing_emails";--> statement-breakpoint
CREATE INDEX "notion_listing_emails" ON "notion_listing" USING gin ("emails") WITH (fastupdate=false);