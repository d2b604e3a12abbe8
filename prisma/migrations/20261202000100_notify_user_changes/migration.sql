-- The web server remembers who a token or session belongs to between requests (see
-- lib/auth/remembered-users.ts). Any change to users or tokens, from whichever process or a psql
-- prompt, tells it to forget them at once.
CREATE FUNCTION facesift_users_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('facesift_users', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER "User_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "User"
  FOR EACH STATEMENT EXECUTE FUNCTION facesift_users_changed();
CREATE TRIGGER "ApiToken_changed" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "ApiToken"
  FOR EACH STATEMENT EXECUTE FUNCTION facesift_users_changed();
