#include "cli/example_data.hpp"

#include <fmt/format.h>

#include <array>

namespace hyperpipe::cli {
namespace {

struct City {
  const char* name;
  double longitude;
  double latitude;
};
constexpr std::array k_cities{City{"Brussels", 4.3517, 50.8503}, City{"Zürich", 8.5417, 47.3769},
                              City{"São Paulo", -46.6333, -23.5505}, City{"Seattle", -122.3321, 47.6062},
                              City{"東京", 139.6917, 35.6895}};
constexpr std::array k_notes{"", "gift wrap", "express", "call before delivery", "leave at door"};

} // namespace

TableDefinition example_customers_table() {
  TableDefinition table{{"Extract", "customers"}, {}, {"customer_id"}, {}};
  table.add("customer_id", SqlType::big_int(), Nullability::not_null)
      .add("name", SqlType::text(), Nullability::not_null)
      .add("city", SqlType::text())
      .add("signed_up", SqlType::date())
      .add("is_vip", SqlType::boolean())
      .add("location", SqlType::geography());
  return table;
}

TableDefinition example_orders_table() {
  TableDefinition table{{"Extract", "orders"}, {}, {"order_id"}, {}};
  table.add("order_id", SqlType::big_int(), Nullability::not_null)
      .add("customer_id", SqlType::big_int(), Nullability::not_null)
      .add("ordered_at", SqlType::timestamp_tz())
      .add("amount", SqlType::numeric(10, 2))
      .add("quantity", SqlType::integer())
      .add("discount", SqlType::double_precision())
      .add("note", SqlType::text());
  table.foreign_keys.push_back({{"customer_id"}, {"Extract", "customers"}, {"customer_id"}});
  return table;
}

Status write_example_tables(ExtractWriter& writer, std::size_t customer_count, std::size_t order_count) {
  const TableDefinition customers = example_customers_table();
  const TableDefinition orders = example_orders_table();
  HP_TRY(writer.add_table(customers));
  HP_TRY(writer.add_table(orders));

  HP_ASSIGN_OR_RETURN(auto customer_rows, writer.write_to(customers.name));
  ColumnBatch batch(customers);
  for (std::size_t i = 0; i < customer_count; ++i) {
    const City& city = k_cities[i % k_cities.size()];
    const auto id = static_cast<std::int64_t>(i + 1);
    HP_TRY(batch.append_row({id, fmt::format("Customer {}", id),
                             i % 7 == 6 ? Value{} : Value{std::string(city.name)},
                             Date{Date::from_ymd(2020, 1, 1).days_since_epoch + static_cast<std::int32_t>(i * 13 % 1500)},
                             i % 4 == 0, fmt::format("POINT({} {})", city.longitude, city.latitude)}));
  }
  HP_TRY(customer_rows.write(batch));
  HP_TRY(customer_rows.finish());

  HP_ASSIGN_OR_RETURN(auto order_rows, writer.write_to(orders.name));
  ColumnBatch order_batch(orders);
  const Timestamp start = Timestamp::from_date_time(Date::from_ymd(2024, 1, 1), TimeOfDay{});
  for (std::size_t i = 0; i < order_count; ++i) {
    const auto n = static_cast<std::int64_t>(i);
    const char* note = k_notes[i % k_notes.size()];
    HP_TRY(order_batch.append_row(
        {n + 1, static_cast<std::int64_t>(i * 7 % customer_count + 1),
         Timestamp{start.micros_since_epoch + n * 3'600'000'123}, Decimal{(n * 7919) % 100'000 + 99, 2},
         std::int64_t{n % 9 + 1}, i % 5 == 0 ? Value{} : Value{static_cast<double>(n % 20) / 100.0},
         *note == '\0' ? Value{} : Value{std::string(note)}}));
  }
  HP_TRY(order_rows.write(order_batch));
  HP_TRY(order_rows.finish());
  return {};
}

} // namespace hyperpipe::cli
