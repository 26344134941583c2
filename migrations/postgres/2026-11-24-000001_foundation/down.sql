DROP TABLE product_variants;
DROP TABLE products;
DROP TABLE sellers;
DROP TABLE categories;
DROP TABLE refresh_tokens;
DROP TABLE users;
