-- The social-assistance programmes a register (`simlontar registry import`) may name: the
-- national ones and East Java's own, extendable by an administrator
-- (`simlontar registry programme add`). A register's cell may use the code or an alias;
-- the code is what `registry_person.programmes` keeps.
CREATE TABLE assistance_programme (
    code     text PRIMARY KEY CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{0,19}$'),
    name_id  text NOT NULL CHECK (name_id <> ''),
    name_en  text NOT NULL CHECK (name_en <> ''),
    aliases  text[] NOT NULL DEFAULT '{}',
    added_at timestamptz NOT NULL DEFAULT now(),
    added_by bigint REFERENCES app_user
);
INSERT INTO assistance_programme (code, name_id, name_en, aliases) VALUES
    ('PKH', 'Program Keluarga Harapan', 'Family Hope Programme (conditional cash transfer)', '{}'),
    ('PKH-PLUS', 'PKH Plus (Jawa Timur, lanjut usia)', 'PKH Plus (East Java, older people)', '{PKHPLUS}'),
    ('BPNT', 'Bantuan Pangan Non Tunai', 'Non-cash food assistance', '{}'),
    ('SEMBAKO', 'Program Sembako', 'Staple food programme', '{}'),
    ('PBI', 'Penerima Bantuan Iuran Jaminan Kesehatan', 'Health insurance contributions paid by the state', '{PBI-JK,PBI-JKN}'),
    ('PBIN', 'PBI-JK dari APBN', 'PBI-JK paid by the national budget', '{}'),
    ('PBID', 'PBI-JK dari APBD', 'PBI-JK paid by the regional budget', '{}'),
    ('BLT', 'Bantuan Langsung Tunai', 'Direct cash transfer', '{}'),
    ('ASPD', 'Asistensi Sosial Penyandang Disabilitas', 'Social assistance for persons with disabilities', '{}'),
    ('KIP', 'Kartu Indonesia Pintar', 'Indonesia Smart Card (schooling)', '{}');
GRANT SELECT ON assistance_programme TO simlontar_app;
