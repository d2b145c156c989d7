-- lindu_over_limit stops the statement that counts a hit over a rate
-- limit: a public report alone in its commit goes as one statement, its
-- rate-limit count included (store.Tx.Allow, allowLater). The error rolls
-- the whole statement back, count included, and lindu runs the report
-- again in a transaction, which refuses it with the time its window ends.
-- A refused request thus leaves this message in the server's log (never
-- its parameters), and nothing in the tables.
CREATE FUNCTION lindu_over_limit() RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'lindu: rate limit reached; the request is refused and nothing was written' USING ERRCODE = 'LR001';
END
$$;
