//! Clustering (detect stage, near duplicates): verified document pairs in, clusters out.
//!
//! Union-find over document indices. The root of every set is its smallest index, so the kept
//! copy of a cluster (the first document in corpus order) is simply `find(doc)`, whatever the
//! order in which the edges arrive.

/// Disjoint sets over `0..n` whose representative is always the smallest member.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<u32>,
}

impl UnionFind {
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
        }
    }

    /// The smallest member of `x`'s set.
    pub fn find(&mut self, x: u32) -> u32 {
        let mut root = x;
        while self.parent[root as usize] != root {
            root = self.parent[root as usize];
        }
        // Path compression.
        let mut cur = x;
        while self.parent[cur as usize] != root {
            let next = self.parent[cur as usize];
            self.parent[cur as usize] = root;
            cur = next;
        }
        root
    }

    /// Merges the sets of `a` and `b`; the smaller root wins.
    pub fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi as usize] = lo;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn representative_is_the_smallest_member_in_any_order() {
        for edges in [[(5, 3), (3, 9), (9, 1)], [(9, 1), (5, 3), (3, 9)]] {
            let mut uf = UnionFind::new(10);
            for (a, b) in edges {
                uf.union(a, b);
            }
            for x in [1, 3, 5, 9] {
                assert_eq!(uf.find(x), 1);
            }
            assert_eq!(uf.find(2), 2);
        }
    }
}
