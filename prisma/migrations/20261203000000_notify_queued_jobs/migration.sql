-- Workers poll the queue once a second when idle; a queued job also rings them at once (see
-- wakeWorkersOnQueued in lib/queue/boss.ts). The notification is delivered when the transaction
-- that queued the row commits, with its pg-boss delivery, so a woken worker finds it; rows queued
-- together (a search's tiles) make one notification per kind.
CREATE FUNCTION facesift_job_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('facesift_jobs', NEW.kind);
  RETURN NULL;
END
$$;

CREATE TRIGGER "Job_queued" AFTER INSERT OR UPDATE OF status ON "Job"
  FOR EACH ROW WHEN (NEW.status = 'queued') EXECUTE FUNCTION facesift_job_queued();
