CREATE TABLE warehouse (
    w_id integer PRIMARY KEY,
    w_name varchar(10) NOT NULL,
    w_tax numeric(4,4) DEFAULT 0.1000,
    w_ytd numeric(12,2) NOT NULL DEFAULT 300000.00,
    w_zip char(9),
    w_open boolean DEFAULT true,
    w_created timestamp,
    w_day date DEFAULT '2024-01-02',
    w_ratio double precision DEFAULT 1.5,
    w_small smallint DEFAULT -1,
    w_big bigint DEFAULT 5,
    w_real real,
    w_note text DEFAULT 'none',
    w_code varchar(8) DEFAULT 'abc',
    UNIQUE (w_zip)
);
CREATE TABLE district (
    d_w_id int NOT NULL,
    d_id int NOT NULL,
    d_name varchar(10),
    d_next_o_id int DEFAULT 3001,
    PRIMARY KEY (d_w_id, d_id)
);
CREATE INDEX district_name ON district (d_name, d_id DESC);
CREATE UNIQUE INDEX warehouse_name_idx ON warehouse (w_name);
CREATE TABLE history (h_c_id int, h_amount numeric(6,2), h_data varchar(24));
INSERT INTO warehouse (w_id, w_name, w_zip) VALUES (1, 'one', '123456789'), (2, 'two', '987654321');
INSERT INTO district (d_w_id, d_id, d_name) VALUES (1, 1, 'd1'), (1, 2, 'd2');
UPDATE district SET d_next_o_id = d_next_o_id + 1 WHERE d_w_id = 1 AND d_id = 2;
DELETE FROM district WHERE d_id = 1;
SELECT w_id, w_name, w_tax, w_ytd, w_open, w_day, w_small, w_big, w_note, w_code FROM warehouse ORDER BY w_id;
SELECT d_w_id, d_id, d_name, d_next_o_id FROM district;
\dt
\d warehouse
\d district
\d history
\d
\di
\d warehouse_pkey
\d district_name
\dn
