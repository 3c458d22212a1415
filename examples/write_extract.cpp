// What pantab's frames_to_hyper does, with hyperpipe's C++ API: define two related tables,
// append rows, finish the file atomically. Built with the project (target example_write_extract).
//   example_write_extract OUT.hyper
#include <hyperpipe/extract.hpp>

#include <cstdio>

using namespace hyperpipe;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: example_write_extract OUT.hyper\n");
    return 2;
  }
  try {
    HyperEngine engine = HyperEngine::start().value(); // finds hyperd as the CLI does
    ExtractWriter writer = ExtractWriter::open(engine, argv[1]).value();

    TableDefinition products{{"Extract", "products"}, {}, {"sku"}, {}};
    products.add("sku", SqlType::text(), Nullability::not_null).add("price", SqlType::numeric(10, 2));
    TableDefinition sales{{"Extract", "sales"}, {}, {}, {}};
    sales.add("sku", SqlType::text(), Nullability::not_null).add("sold_on", SqlType::date()).add("units", SqlType::integer());
    sales.foreign_keys.push_back({{"sku"}, products.name, {"sku"}}); // Tableau relates the tables
    writer.add_table(products).value();
    writer.add_table(sales).value();

    // Row by row...
    ColumnBatch product_rows(products);
    product_rows.append_row({std::string("A-1"), Decimal{1999, 2}}).value();
    product_rows.append_row({std::string("B-2"), Value{}}).value(); // NULL price
    TableWriter product_writer = writer.write_to(products.name).value();
    product_writer.write(product_rows).value();
    product_writer.finish().value();

    // ...or column by column.
    ColumnBatch sale_rows(sales);
    for (int day = 1; day <= 28; ++day) {
      sale_rows.column(0).append_text(day % 2 == 0 ? "A-1" : "B-2").value();
      sale_rows.column(1).append_date(Date::from_ymd(2026, 2, static_cast<unsigned>(day))).value();
      sale_rows.column(2).append_int(day * 3).value();
    }
    TableWriter sale_writer = writer.write_to(sales.name).value();
    sale_writer.write(sale_rows).value();
    std::printf("%llu sales rows\n", static_cast<unsigned long long>(sale_writer.finish().value()));

    writer.commit().value(); // only now does OUT.hyper appear (or get replaced)
  } catch (const Exception& error) {
    std::fprintf(stderr, "error: %s\n", error.what());
    return 1;
  }
  return 0;
}
