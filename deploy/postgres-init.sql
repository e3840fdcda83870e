-- One PostgreSQL server, one database per service: they share no tables.
CREATE DATABASE catalog;
CREATE DATABASE donations;
CREATE DATABASE notifications;
