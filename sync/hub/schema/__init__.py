"""Hub schema migrations: NNN_name.sql, applied in order by sync.hub.store.HubStore.migrate."""
