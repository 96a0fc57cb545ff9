ALTER TABLE audit_events DROP CONSTRAINT audit_events_pkey;
ALTER TABLE audit_events ADD PRIMARY KEY (id);
CREATE INDEX audit_events_time ON audit_events (tenant_id, occurred_at);
