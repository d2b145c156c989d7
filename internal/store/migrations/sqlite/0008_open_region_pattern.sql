-- PostgreSQL only (text_pattern_ops); SQLite's index from 0007 serves as is.
SELECT 1;
