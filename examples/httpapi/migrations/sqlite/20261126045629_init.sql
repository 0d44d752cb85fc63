-- Generated from the models by migrate diff; review before applying.
-- migrate:up
CREATE TABLE `authors` (`id` uuid NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `name` text NOT NULL, `email` text NOT NULL, PRIMARY KEY (`id`));
CREATE UNIQUE INDEX `idx_authors_email` ON `authors` (`email`);
CREATE TABLE `articles` (`id` uuid NULL, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, `version` integer NOT NULL, `author_id` uuid NOT NULL, `title` text NOT NULL, `body` text NOT NULL, `status` text NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `fk_articles_author` FOREIGN KEY (`author_id`) REFERENCES `authors` (`id`) ON UPDATE NO ACTION ON DELETE RESTRICT);
CREATE INDEX `idx_articles_status` ON `articles` (`status`);
CREATE INDEX `idx_articles_author_id` ON `articles` (`author_id`);
CREATE TABLE `audit_entries` (`id` uuid NULL, `created_at` datetime NOT NULL, `action` text NOT NULL, `entity_id` uuid NOT NULL, `detail` text NOT NULL, PRIMARY KEY (`id`));
CREATE INDEX `idx_audit_entries_entity_id` ON `audit_entries` (`entity_id`);

-- migrate:down
DROP TABLE `authors`;
DROP TABLE `articles`;
DROP TABLE `audit_entries`;
