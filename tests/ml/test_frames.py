"""Reading frames from DuckDB, loan order and the feature matrix."""

import duckdb
import numpy as np
import pandas as pd

from ml.frames import (
    LOAN_ORDER,
    content_hash,
    content_hash_of_columns,
    in_loan_order,
    is_in,
    numeric_matrix,
    read_frame,
)


def test_read_frame_gives_what_df_gives_over_several_chunks_and_when_empty():
    with duckdb.connect() as connection:
        connection.execute(
            "create table loans as select 'L' || lpad(cast(i as varchar), 6, '0') as loan_id,"
            " cast(i as decimal(18, 2)) as amount, i % 3 = 0 as flag,"
            " case when i % 7 = 0 then null else i end as days from range(250000) as t(i)"
        )
        relation = connection.table("loans").order(LOAN_ORDER)

        pd.testing.assert_frame_equal(read_frame(connection, relation), relation.df())
        empty = read_frame(connection, relation.filter("amount < 0"))
        assert empty.empty and list(empty.columns) == ["loan_id", "amount", "flag", "days"]


def test_loan_order_sorts_by_id_and_keeps_a_sorted_frame_as_it_is():
    shuffled = pd.DataFrame({"loan_id": ["L3", "L1", "L2"], "value": [3, 1, 2]}, index=[7, 8, 9])
    expected = pd.DataFrame({"loan_id": ["L1", "L2", "L3"], "value": [1, 2, 3]})

    pd.testing.assert_frame_equal(in_loan_order(shuffled), expected)
    pd.testing.assert_frame_equal(in_loan_order(expected.set_index(pd.Index([5, 6, 7]))), expected)


def test_is_in_answers_as_pandas_isin_in_the_order_of_the_ids_whatever_holds_them():
    ids = pd.Series(["LN_3", "LN_1", None, "LN_2", "LN_1"], index=[9, 4, 7, 1, 0])
    for values in (
        ["LN_1", "LN_9"],
        pd.Index(["LN_2", "LN_3"]),
        pd.Series(["LN_1", None], index=[5, 6]),
        ids.astype(object),
        [],
    ):
        expected = ids.isin(values).to_numpy()
        assert is_in(ids, values).tolist() == expected.tolist(), values
        assert is_in(pd.Index(ids), values).tolist() == expected.tolist(), values
    assert is_in(pd.Series([3, 1, 2]), np.array([2, 3])).tolist() == [True, False, True]


def test_numeric_matrix_turns_booleans_nullable_integers_and_decimals_into_floats_with_nan():
    frame = pd.DataFrame(
        {
            "flag": pd.array([True, False, None], dtype="boolean"),
            "days": pd.array([1, None, 3], dtype="Int64"),
            "amount": [1.5, 2.5, np.nan],
        }
    )

    matrix = numeric_matrix(frame, ["amount", "flag", "days"])

    np.testing.assert_array_equal(matrix, [[1.5, 1.0, 1.0], [2.5, 0.0, np.nan], [np.nan, np.nan, 3.0]])
    assert matrix.dtype == np.float64


def test_hashing_column_by_column_gives_the_frames_hash():
    frame = pd.DataFrame(
        {
            "income": [1200.5, np.nan, 300.0],
            "loan_id": pd.Series(["LN_1", "LN_2", "LN_3"]).astype(str),
            "segment_id": np.array([1, 2, 1], dtype="int64"),
            "segment_name": np.array(["Low", "High", "Low"], dtype=object),
        }
    )
    spec = {"algorithm": "kmeans"}
    columns = [lambda name=name: frame[name] for name in frame.columns]
    assert content_hash_of_columns(spec, columns) == content_hash(spec, frame)
    # Order, values and spec all count.
    assert content_hash_of_columns(spec, columns[::-1]) != content_hash(spec, frame)
    changed = frame.assign(segment_id=[1, 2, 2])
    assert content_hash_of_columns(spec, [lambda name=name: changed[name] for name in frame.columns]) != (
        content_hash(spec, frame)
    )
    assert content_hash_of_columns({"algorithm": "dbscan"}, columns) != content_hash(spec, frame)
