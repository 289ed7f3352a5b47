-- known_sent_values: the keyed fingerprints a user's agents put in the arguments of sends (calls with
-- a destination) on at least two days of the lookback: their signature, phone number, company
-- address, boilerplate. Content a user sends routinely is not private data leaving when it shows up
-- in a send to someone new (detector/rules/provenance.ts leaves it out of a send's payload).
ALTER TABLE {{database}}.baselines ADD COLUMN IF NOT EXISTS known_sent_values Array(String);
