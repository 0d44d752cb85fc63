-- Generated from the models by migrate diff; review before applying.
-- migrate:up
CREATE TABLE "audit_entries" ("id" uuid NOT NULL, "created_at" timestamptz NOT NULL, "action" text NOT NULL, "entity_id" uuid NOT NULL, "detail" text NOT NULL, PRIMARY KEY ("id"));
CREATE INDEX "idx_audit_entries_entity_id" ON "audit_entries" ("entity_id");
CREATE TABLE "authors" ("id" uuid NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" text NOT NULL, "email" text NOT NULL, PRIMARY KEY ("id"));
CREATE UNIQUE INDEX "idx_authors_email" ON "authors" ("email");
CREATE TABLE "articles" ("id" uuid NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "version" bigint NOT NULL, "author_id" uuid NOT NULL, "title" text NOT NULL, "body" text NOT NULL, "status" text NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "fk_articles_author" FOREIGN KEY ("author_id") REFERENCES "authors" ("id") ON UPDATE NO ACTION ON DELETE RESTRICT);
CREATE INDEX "idx_articles_author_id" ON "articles" ("author_id");
CREATE INDEX "idx_articles_status" ON "articles" ("status");

-- migrate:down
DROP TABLE "articles";
DROP TABLE "audit_entries";
DROP TABLE "authors";
