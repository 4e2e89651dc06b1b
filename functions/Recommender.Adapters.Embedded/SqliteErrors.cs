using Microsoft.Data.Sqlite;

namespace Recommender.Adapters.Embedded;

internal static class SqliteErrors
{
    private const int Constraint = 19; // SQLITE_CONSTRAINT

    public static bool IsUniqueViolation(SqliteException exception) => exception.SqliteErrorCode == Constraint;
}
