-- Session cookies carry their user's generation; raising it ends every session of that user.
ALTER TABLE "User" ADD COLUMN "sessionGeneration" INTEGER NOT NULL DEFAULT 0;

-- Tokens expire. Those made before expiry existed get the default lifetime, counted from now.
ALTER TABLE "ApiToken" ADD COLUMN "expiresAt" TIMESTAMP(3);
UPDATE "ApiToken" SET "expiresAt" = (now() AT TIME ZONE 'UTC') + interval '90 days';

-- Recording a token's last use changes nothing the web server remembers about it: only the other
-- columns' changes notify it, or every token's first use each minute would make it forget everyone.
DROP TRIGGER "ApiToken_changed" ON "ApiToken";
CREATE TRIGGER "ApiToken_changed" AFTER INSERT OR UPDATE OF "userId", "tokenHash", "expiresAt", "createdAt", "id" OR DELETE OR TRUNCATE ON "ApiToken"
  FOR EACH STATEMENT EXECUTE FUNCTION facesift_users_changed();
