-- A sample table for the compose setup; binlog2kafka sends its changes to
-- the topic shop.shop.customers.
CREATE DATABASE IF NOT EXISTS shop;
CREATE TABLE IF NOT EXISTS shop.customers (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  email VARCHAR(128) NOT NULL,
  balance DECIMAL(10,2) NOT NULL DEFAULT 0,
  tier ENUM('basic','gold') NOT NULL DEFAULT 'basic',
  updated DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
