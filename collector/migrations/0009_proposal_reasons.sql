-- Why a proposal was rejected, as the moderator wrote it (shown to administrators and in
-- exports, never to citizens). NULL: no reason given, or not rejected.
ALTER TABLE proposals ADD COLUMN reason TEXT;
