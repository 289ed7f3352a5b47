-- What a user's baseline knows besides tools, servers and hosts (detector/baselines):
-- known_destinations: every destination used in the lookback (the keyed fingerprints of v2 events,
--   else the recipients and hosts of v1 events; detector/rules/destinations.ts), so a send to a new
--   recipient, account or channel stands out and a routine one does not;
-- known_secret_paths: the credential stores the user's agents read (an ops agent reading its kube
--   config every day), so that routine read weighs less in a risk story.
ALTER TABLE {{database}}.baselines ADD COLUMN IF NOT EXISTS known_destinations Array(String);
ALTER TABLE {{database}}.baselines ADD COLUMN IF NOT EXISTS known_secret_paths Array(String);
