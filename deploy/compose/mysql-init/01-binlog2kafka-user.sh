# Sourced by the MySQL image's entrypoint at the first start (an empty data
# directory): the replication user of binlog2kafka, its password from the
# compose secret b2k_source_password (never in the compose file or argv).
b2k_password=$(cat /run/secrets/b2k_source_password)
b2k_password=${b2k_password//\'/\'\'}
docker_process_sql <<SQL
CREATE USER IF NOT EXISTS 'b2k'@'%' IDENTIFIED BY '${b2k_password}';
-- the binlog stream, SHOW BINARY LOGS / SHOW BINARY LOG STATUS, reading tables
GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO 'b2k'@'%';
SQL
unset b2k_password
