-- Interchange / group control numbers for outgoing 270s (ISA13, GS06): must not repeat for a
-- trading partner, so they come from the database, not from process memory.
CREATE SEQUENCE x12_interchange_control_seq MINVALUE 1 MAXVALUE 999999999 CYCLE;
